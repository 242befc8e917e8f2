//! Synthea checks beyond the silver-contract rules of [`dq_rules`](super::dq_rules):
//! values that failed to parse, stray whitespace and case variants in the raw text
//! (normalization would otherwise fix them silently), dates after the as-of date,
//! numeric observations whose value is not a number, references to unknown
//! patients/encounters/organizations/providers/payers/claims, encounters after the
//! patient's death (other than the death certification), and columns one version always
//! fills.
//!
//! Each check is a boolean **scratch column** whose name starts with [`CHECK_PREFIX`]
//! (`__dq_check_`): the rule engine in `medallion-core` reads columns starting with
//! `__dq_` and drops them before writing. [`check_rules`] turns the columns into rules.
//! A silver transform adds them along the way:
//!
//! | check column | added by | computed from |
//! |---|---|---|
//! | [`WHITESPACE_CHECK`], [`CASE_VARIANT_CHECK`] | [`raw_text_checks`] | the raw text |
//! | [`PARSE_ERROR_CHECK`] | [`parse_error_check`] | the typed reader's `_parse_errors` |
//! | [`FUTURE_DATE_CHECK`], [`MALFORMED_VALUE_CHECK`], [`orphan_check_column`]s | [`silver_checks`] | the silver row and [`ReferenceKeys`] |
//! | [`AFTER_DEATH_CHECK`] | [`flag_encounters_after_death`] | silver encounters and patients |
//!
//! ```
//! use chrono::NaiveDate;
//! use polars::prelude::*;
//! use synthea_schema::dq::checks::{FUTURE_DATE_CHECK, ReferenceKeys, check_rules, silver_checks};
//! use synthea_schema::normalize::{NormalizeConfig, normalize};
//! use synthea_schema::{SyntheaVersion, TableKind};
//!
//! let raw = df!("Id" => ["p1", "p2"], "BIRTHDATE" => ["1950-01-01", "2031-01-01"])?.lazy();
//! let silver = normalize(TableKind::Patients, SyntheaVersion::V2, raw, &NormalizeConfig::default())?;
//! let as_of = NaiveDate::from_ymd_opt(2024, 1, 1).ok_or("date")?;
//! let keys = ReferenceKeys::default();
//! let checked = silver
//!     .with_columns(silver_checks(TableKind::Patients, SyntheaVersion::V2, as_of, &keys))
//!     .collect()?;
//! let future = checked.column(FUTURE_DATE_CHECK)?.bool()?;
//! assert_eq!((future.get(0), future.get(1)), (Some(false), Some(true)));
//! let rules = check_rules(TableKind::Patients, SyntheaVersion::V2, &keys, as_of);
//! assert!(rules.iter().any(|r| r.name == "patients.future_date"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeMap;

use chrono::NaiveDate;
use medallion_model::Rule;
use polars::prelude::*;

use super::{AFTER_DEATH_RULE, DqConfig, string_list};
use crate::error::{PolarsContext, Result};
use crate::normalize::{silver_required_columns, silver_schema};
use crate::read::{PARSE_ERRORS_COLUMN, passes_through};
use crate::spec::TableKind;
use crate::version::SyntheaVersion;

/// Prefix of every check column (a scratch column the rule engine drops).
pub const CHECK_PREFIX: &str = "__dq_check_";
/// Check column: a value of the row failed to parse (its `_parse_errors` list is not empty).
pub const PARSE_ERROR_CHECK: &str = "__dq_check_parse_error";
/// Check column: a raw value had leading or trailing whitespace.
pub const WHITESPACE_CHECK: &str = "__dq_check_whitespace";
/// Check column: a categorical raw value used a rarer spelling case.
pub const CASE_VARIANT_CHECK: &str = "__dq_check_case_variant";
/// Check column: a date of the row is after the as-of date.
pub const FUTURE_DATE_CHECK: &str = "__dq_check_future_date";
/// Check column: the encounter starts after the patient's death (not a certification).
pub const AFTER_DEATH_CHECK: &str = "__dq_check_after_death";
/// Check column: a numeric observation's value is not a number.
pub const MALFORMED_VALUE_CHECK: &str = "__dq_check_malformed_value";

/// Values that mean "no reference" rather than an id (Synthea writes `0` for a claim
/// without a primary or secondary insurer); they are never orphans.
pub const NO_REFERENCE_VALUES: [&str; 1] = ["0"];

/// The check column of the orphan check of silver column `silver`
/// (`__dq_check_orphan_<silver>`).
pub fn orphan_check_column(silver: &str) -> String {
    format!("{CHECK_PREFIX}orphan_{silver}")
}

/// The known ids of the referenced tables, for the orphan checks of [`silver_checks`].
///
/// A table without an entry is not checked (its references are neither orphans nor
/// valid): load the reference tables first and add their keys here.
#[derive(Debug, Clone, Default)]
pub struct ReferenceKeys {
    /// Referenced table → its known ids (its silver key column).
    pub ids: BTreeMap<TableKind, Series>,
}

impl ReferenceKeys {
    /// The same keys plus the known `ids` of `table`.
    #[must_use]
    pub fn with_ids(mut self, table: TableKind, ids: Series) -> Self {
        self.ids.insert(table, ids);
        self
    }
}

/// The references of `table` in `version`: (silver column, referenced table), from the
/// spec's foreign keys ([`crate::spec::FOREIGN_KEYS`]).
fn references(table: TableKind, version: SyntheaVersion) -> Vec<(&'static str, TableKind)> {
    let Some(spec) = table.spec(version) else {
        return Vec::new();
    };
    let mut out: Vec<(&'static str, TableKind)> = Vec::new();
    for (column, target) in spec.foreign_keys() {
        if !out.iter().any(|(silver, _)| *silver == column.silver) {
            out.push((column.silver, target));
        }
    }
    out
}

/// Adds the raw-text checks to a raw (all-text) frame, before typing:
/// [`WHITESPACE_CHECK`] (whitespace around any Synthea value) and [`CASE_VARIANT_CHECK`]
/// (a value of one of the `categorical` columns whose exact spelling, after trimming, is
/// rarer than another spelling of the same lowercase value — `Inpatient` among many
/// `inpatient`). Columns that pass through ([`passes_through`]: lineage, scratch) are not
/// checked; categorical columns missing from the frame are ignored.
///
/// Same rows, same order, every input column unchanged: the two check columns are
/// appended, so typing and normalization can carry them along.
///
/// # Errors
/// [`Error::Polars`](crate::Error::Polars) when the frame's schema cannot be resolved or
/// the window expressions cannot be built.
pub fn raw_text_checks(mut raw: LazyFrame, categorical: &[String]) -> Result<LazyFrame> {
    let schema = raw
        .collect_schema()
        .ctx(|| "resolving the schema of a raw frame".to_string())?;
    let raw_columns: Vec<&str> = schema
        .iter_names()
        .map(|n| n.as_str())
        .filter(|n| !passes_through(n))
        .collect();
    let whitespace = raw_columns
        .iter()
        .map(|c| {
            // A regex match allocates nothing, unlike comparing with a stripped copy.
            col(*c)
                .cast(DataType::String)
                .str()
                .contains(lit(r"^\s|\s$"), false)
                .fill_null(lit(false))
        })
        .reduce(|a, b| a.or(b))
        .unwrap_or_else(|| lit(false))
        .alias(WHITESPACE_CHECK);
    let checked: Vec<&str> = categorical
        .iter()
        .map(String::as_str)
        .filter(|c| raw_columns.contains(c))
        .collect();
    let trimmed = |c: &str| col(c).cast(DataType::String).str().strip_chars(lit(NULL));
    let spelling = |i: usize| format!("{CHECK_PREFIX}spelling_{i}");
    // Two steps: window expressions cannot be nested.
    let mut counts = Vec::new();
    for (i, c) in checked.iter().enumerate() {
        counts.push(
            len()
                .over([trimmed(c)])
                .ctx(|| format!("counting the spellings of `{c}`"))?
                .alias(spelling(i)),
        );
    }
    let mut case_variant = lit(false);
    for (i, c) in checked.iter().enumerate() {
        let count = col(spelling(i));
        let most_common = count
            .clone()
            .max()
            .over([trimmed(c).str().to_lowercase()])
            .ctx(|| format!("finding the most common spelling of `{c}`"))?;
        case_variant = case_variant.or(count
            .lt(most_common)
            .and(trimmed(c).is_not_null())
            .fill_null(lit(false)));
    }
    let scratch: Vec<String> = (0..checked.len()).map(spelling).collect();
    Ok(raw
        .with_columns(counts)
        .with_columns([whitespace, case_variant.alias(CASE_VARIANT_CHECK)])
        .drop(cols(scratch)))
}

/// [`PARSE_ERROR_CHECK`]: `true` where the typed reader listed a column in the row's
/// [`PARSE_ERRORS_COLUMN`] (see [`crate::read::type_frame`]).
pub fn parse_error_check() -> Expr {
    col(PARSE_ERRORS_COLUMN)
        .list()
        .len()
        .gt(lit(0u32))
        .fill_null(lit(false))
        .alias(PARSE_ERROR_CHECK)
}

/// A reference that is set, is not a [`NO_REFERENCE_VALUES`] marker and is not one of
/// the known `ids`. Null references are not orphans (the `required_null` rules see them).
fn orphan_check(silver: &str, ids: &Series) -> Expr {
    let no_reference = Series::new("no_reference".into(), NO_REFERENCE_VALUES);
    col(silver)
        .is_not_null()
        .and(
            col(silver)
                .is_in(lit(no_reference).implode(false), false)
                .not(),
        )
        .and(
            col(silver)
                .is_in(lit(ids.clone()).implode(false), false)
                .not(),
        )
        .fill_null(lit(false))
        .alias(orphan_check_column(silver))
}

/// Checks on the normalized silver frame of `table`, as expressions to add with
/// `with_columns`: [`FUTURE_DATE_CHECK`] (any `Date` column after `as_of`),
/// [`MALFORMED_VALUE_CHECK`] (observations only: a `numeric` value that is not a number)
/// and one [`orphan_check_column`] per reference of the `version`'s spec whose target
/// table has [`ReferenceKeys`].
pub fn silver_checks(
    table: TableKind,
    version: SyntheaVersion,
    as_of: NaiveDate,
    keys: &ReferenceKeys,
) -> Vec<Expr> {
    let future = silver_schema(table)
        .iter()
        .filter(|(_, dtype)| **dtype == DataType::Date)
        .map(|(name, _)| col(name.clone()).gt(lit(as_of)).fill_null(lit(false)))
        .reduce(|a, b| a.or(b))
        .unwrap_or_else(|| lit(false))
        .alias(FUTURE_DATE_CHECK);
    let malformed_value = if table == TableKind::Observations {
        col("value_type")
            .eq(lit("numeric"))
            .and(col("value").is_not_null())
            .and(col("value_numeric").is_null())
            .fill_null(lit(false))
    } else {
        lit(false)
    };
    let mut checks = vec![future, malformed_value.alias(MALFORMED_VALUE_CHECK)];
    for (silver, target) in references(table, version) {
        if let Some(ids) = keys.ids.get(&target) {
            checks.push(orphan_check(silver, ids));
        }
    }
    checks
}

/// Adds [`AFTER_DEATH_CHECK`] to silver `encounters`: `true` where the encounter starts
/// (calendar date `start_date`) after the patient's `death_date`, except
/// death-certification encounters ([`DqConfig::death_certification_codes`]), which
/// Synthea dates one or more days after the death.
///
/// Inputs are silver `encounters` (needs `patient_id`, `start_date`, `code`) and silver
/// `patients` (needs `patient_id`, `death_date`; duplicate patient ids use the earliest
/// death date). Same rows in the same order; the rule is [`AFTER_DEATH_RULE`].
pub fn flag_encounters_after_death(
    encounters: LazyFrame,
    patients: LazyFrame,
    config: &DqConfig,
) -> LazyFrame {
    const PATIENT: &str = "__dq_death_patient";
    const DEATH: &str = "__dq_death_date";
    let deaths = patients
        .select([
            col("patient_id").alias(PATIENT),
            col("death_date").alias(DEATH),
        ])
        .group_by([col(PATIENT)])
        .agg([col(DEATH).min()]);
    let codes: Vec<&str> = config
        .death_certification_codes
        .iter()
        .map(String::as_str)
        .collect();
    let is_certification = col("code")
        .is_in(string_list(&codes), false)
        .fill_null(lit(false));
    let mut args = JoinArgs::new(JoinType::Left);
    args.maintain_order = MaintainOrderJoin::Left;
    args.validation = JoinValidation::ManyToOne;
    encounters
        .join(deaths, [col("patient_id")], [col(PATIENT)], args)
        .with_column(
            col(DEATH)
                .is_not_null()
                .and(col("start_date").gt(col(DEATH)))
                .and(is_certification.not())
                .fill_null(lit(false))
                .alias(AFTER_DEATH_CHECK),
        )
        .drop(by_name([DEATH], true, false))
}

/// The rules reading the check columns of this module for `table` in `version`
/// (names `<table>.<check>`), plus `<table>.required_null.<column>` rules for the
/// columns `version` always fills that [`dq_rules`](super::dq_rules) leaves out because
/// another version lacks them.
///
/// Rules (all `warn`, except orphan patient references, which `quarantine`):
/// `parse_error`, `stray_whitespace`, `case_variant`, `future_date`, `malformed_value`,
/// `orphan_<column>` (only for targets in `keys`), `required_null.<column>` and
/// [`AFTER_DEATH_RULE`] (encounters).
pub fn check_rules(
    table: TableKind,
    version: SyntheaVersion,
    keys: &ReferenceKeys,
    as_of: NaiveDate,
) -> Vec<Rule> {
    let mut rules = text_and_value_rules(table, as_of);
    rules.extend(orphan_rules(table, version, keys));
    rules.extend(version_required_rules(table, version));
    if table == TableKind::Encounters {
        rules.push(Rule::warn(
            AFTER_DEATH_RULE,
            col(AFTER_DEATH_CHECK),
            "the encounter starts after the patient's death date and is not the death certification",
        ));
    }
    rules
}

fn text_and_value_rules(table: TableKind, as_of: NaiveDate) -> Vec<Rule> {
    let t = table.name();
    vec![
        Rule::warn(
            format!("{t}.parse_error"),
            col(PARSE_ERROR_CHECK),
            "a value did not parse as its column type; it is null in silver and the raw value stays in bronze (the row's parse-error list names the columns)",
        ),
        Rule::warn(
            format!("{t}.stray_whitespace"),
            col(WHITESPACE_CHECK),
            "a raw value had leading or trailing whitespace (trimmed in silver)",
        ),
        Rule::warn(
            format!("{t}.case_variant"),
            col(CASE_VARIANT_CHECK),
            "a categorical value used a rarer spelling case (normalized in silver)",
        ),
        Rule::warn(
            format!("{t}.future_date"),
            col(FUTURE_DATE_CHECK),
            format!("a date is after the as-of date {as_of}"),
        ),
        Rule::warn(
            format!("{t}.malformed_value"),
            col(MALFORMED_VALUE_CHECK),
            "a numeric observation value is not a number (`value_numeric` is null)",
        ),
    ]
}

fn orphan_rules(table: TableKind, version: SyntheaVersion, keys: &ReferenceKeys) -> Vec<Rule> {
    let t = table.name();
    references(table, version)
        .into_iter()
        .filter(|(_, target)| keys.ids.contains_key(target))
        .map(|(silver, target)| {
            let name = format!("{t}.orphan_{silver}");
            let description = format!("`{silver}` matches no row of {}", target.name());
            let check = col(orphan_check_column(silver).as_str());
            if target == TableKind::Patients {
                Rule::quarantine(name, check, description)
            } else {
                Rule::warn(name, check, description)
            }
        })
        .collect()
}

fn version_required_rules(table: TableKind, version: SyntheaVersion) -> Vec<Rule> {
    let Some(spec) = table.spec(version) else {
        return Vec::new();
    };
    let always = silver_required_columns(table);
    let mut seen: Vec<&str> = Vec::new();
    let mut rules = Vec::new();
    for c in spec
        .columns
        .iter()
        .filter(|c| c.required && c.header_required_in(version))
    {
        if always.contains(&c.silver) || seen.contains(&c.silver) {
            continue;
        }
        seen.push(c.silver);
        rules.push(Rule::warn(
            format!("{}.required_null.{}", table.name(), c.silver),
            col(c.silver).is_null(),
            format!(
                "`{}` is null although {version:?} exports always fill it",
                c.silver
            ),
        ));
    }
    rules
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::test_util::{bools, patients_with_deaths, silver, strs};

    fn as_of() -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn strings(values: &[&str]) -> Series {
        Series::new("ids".into(), values)
    }

    /// The values of check column `check` after adding `exprs` to `lf`.
    fn check_values(lf: LazyFrame, exprs: Vec<Expr>, check: &str) -> Vec<Option<bool>> {
        bools(&lf.with_columns(exprs).collect().unwrap(), check)
    }

    fn rule_names(rules: &[Rule]) -> Vec<String> {
        rules.iter().map(|r| r.name.clone()).collect()
    }

    #[test]
    fn stray_whitespace_fires_on_leading_or_trailing_whitespace_in_any_synthea_column() {
        let raw = df!(
            "Id" => ["e1", " e2", "e3", "e4"],
            "DESCRIPTION" => ["Check up", "x", "y\t", "inner  space"],
            "_source_row" => [" 1", "2", "3", "4"],
        )
        .unwrap();
        let df = raw_text_checks(raw.clone().lazy(), &[])
            .unwrap()
            .collect()
            .unwrap();
        // `_source_row` passes through: its whitespace is not Synthea's.
        assert_eq!(
            bools(&df, WHITESPACE_CHECK),
            [Some(false), Some(true), Some(true), Some(false)]
        );
        assert_eq!(
            bools(&df, CASE_VARIANT_CHECK),
            [Some(false); 4],
            "no categorical column"
        );
        // The input columns are unchanged and come first.
        assert_eq!(&df.columns()[..3], raw.columns());
        assert_eq!(df.width(), 5);
    }

    #[test]
    fn case_variant_fires_on_the_rarer_spelling_of_a_categorical_value() {
        let raw = df!(
            "ENCOUNTERCLASS" => ["inpatient", "inpatient", "Inpatient", "wellness", " inpatient "],
            "DESCRIPTION" => ["A", "a", "a", "B", "b"],
        )
        .unwrap()
        .lazy();
        let categorical = ["ENCOUNTERCLASS".to_string(), "NOT_THERE".to_string()];
        let df = raw_text_checks(raw, &categorical)
            .unwrap()
            .collect()
            .unwrap();
        // " inpatient " trims to the common spelling; DESCRIPTION is not categorical.
        assert_eq!(
            bools(&df, CASE_VARIANT_CHECK),
            [
                Some(false),
                Some(false),
                Some(true),
                Some(false),
                Some(false)
            ]
        );
        assert_eq!(df.width(), 4, "the spelling counts are dropped");
    }

    #[test]
    fn parse_error_fires_when_the_parse_error_list_is_not_empty() {
        let lists = [
            Series::new_empty("".into(), &DataType::String),
            strings(&["BIRTHDATE"]),
        ];
        let typed = DataFrame::new(
            2,
            vec![Series::new(PARSE_ERRORS_COLUMN.into(), &lists).into_column()],
        )
        .unwrap()
        .lazy();
        assert_eq!(
            check_values(typed, vec![parse_error_check()], PARSE_ERROR_CHECK),
            [Some(false), Some(true)]
        );
    }

    /// Silver 2.x observations with every silver check: row 1 is in the future and not a
    /// number, row 2 references an unknown patient, row 3 an unknown encounter.
    fn checked_observations() -> DataFrame {
        let raw = df!(
            "DATE" => ["2020-01-01T00:00:00Z", "2030-01-01T00:00:00Z", "2020-01-01T00:00:00Z", "2020-01-01T00:00:00Z"],
            "PATIENT" => ["p1", "p1", "ghost", "p1"],
            "ENCOUNTER" => ["e1", "", "e1", "nope"],
            "CODE" => ["39156-5", "39156-5", "72166-2", "39156-5"],
            "VALUE" => ["27.1", "N/A", "Never smoker", "27.5"],
            "TYPE" => ["numeric", "numeric", "text", "numeric"],
        )
        .unwrap();
        let checks = silver_checks(
            TableKind::Observations,
            SyntheaVersion::V2,
            as_of(),
            &keys(),
        );
        silver(TableKind::Observations, SyntheaVersion::V2, raw)
            .with_columns(checks)
            .collect()
            .unwrap()
    }

    fn keys() -> ReferenceKeys {
        ReferenceKeys::default()
            .with_ids(TableKind::Patients, strings(&["p1"]))
            .with_ids(TableKind::Encounters, strings(&["e1"]))
    }

    #[test]
    fn future_date_fires_on_any_date_after_the_as_of_date() {
        assert_eq!(
            bools(&checked_observations(), FUTURE_DATE_CHECK),
            [Some(false), Some(true), Some(false), Some(false)]
        );
    }

    #[test]
    fn malformed_value_fires_on_numeric_observations_that_are_not_numbers() {
        assert_eq!(
            bools(&checked_observations(), MALFORMED_VALUE_CHECK),
            [Some(false), Some(true), Some(false), Some(false)]
        );
    }

    #[test]
    fn orphan_fires_on_set_references_to_unknown_ids() {
        let df = checked_observations();
        assert_eq!(
            bools(&df, &orphan_check_column("patient_id")),
            [Some(false), Some(false), Some(true), Some(false)]
        );
        // An empty ENCOUNTER (null) is not an orphan; "nope" is.
        assert_eq!(
            bools(&df, &orphan_check_column("encounter_id")),
            [Some(false), Some(false), Some(false), Some(true)]
        );
        assert_eq!(df.height(), 4);
    }

    #[test]
    fn orphan_spares_the_no_reference_marker_and_skips_tables_without_keys() {
        let raw = df!("PRIMARYPATIENTINSURANCEID" => ["0", "payer-1", "payer-2"]).unwrap();
        let claims = silver(TableKind::Claims, SyntheaVersion::V3Latest, raw);
        let keys = ReferenceKeys::default().with_ids(TableKind::Payers, strings(&["payer-1"]));
        let checks = silver_checks(TableKind::Claims, SyntheaVersion::V3Latest, as_of(), &keys);
        let df = claims.with_columns(checks).collect().unwrap();
        assert_eq!(
            bools(&df, &orphan_check_column("primary_insurance_id")),
            [Some(false), Some(false), Some(true)]
        );
        assert!(df.column(&orphan_check_column("patient_id")).is_err());
        // Without patient keys there is no patient orphan check or rule.
        let rules = check_rules(TableKind::Claims, SyntheaVersion::V3Latest, &keys, as_of());
        let names = rule_names(&rules);
        assert!(names.contains(&"claims.orphan_primary_insurance_id".to_string()));
        assert!(!names.iter().any(|n| n == "claims.orphan_patient_id"));
    }

    #[test]
    fn orphan_patient_rules_quarantine_and_other_orphans_warn() {
        let rules = check_rules(
            TableKind::Observations,
            SyntheaVersion::V2,
            &keys(),
            as_of(),
        );
        let severity = |name: &str| rules.iter().find(|r| r.name == name).map(|r| r.severity);
        assert_eq!(
            severity("observations.orphan_patient_id"),
            Some(medallion_model::Severity::Quarantine)
        );
        assert_eq!(
            severity("observations.orphan_encounter_id"),
            Some(medallion_model::Severity::Warn)
        );
    }

    #[test]
    fn version_required_null_covers_columns_only_that_version_always_fills() {
        let v3 = rule_names(&check_rules(
            TableKind::Patients,
            SyntheaVersion::V3Latest,
            &ReferenceKeys::default(),
            as_of(),
        ));
        // INCOME: always filled in 3.3+, absent from 2.x, so not in the contract's rules.
        assert!(
            v3.contains(&"patients.required_null.income".to_string()),
            "{v3:?}"
        );
        assert!(!v3.contains(&"patients.required_null.patient_id".to_string()));
        let v2 = rule_names(&check_rules(
            TableKind::Patients,
            SyntheaVersion::V2,
            &ReferenceKeys::default(),
            as_of(),
        ));
        assert!(!v2.iter().any(|n| n.ends_with(".income")));
    }

    #[test]
    fn check_rules_read_only_check_columns_and_are_uniquely_named() {
        for table in TableKind::all() {
            for version in SyntheaVersion::all() {
                let rules = check_rules(*table, *version, &keys(), as_of());
                let mut names = rule_names(&rules);
                names.sort();
                names.dedup();
                assert_eq!(names.len(), rules.len(), "{table} {version}");
            }
        }
        let encounters = rule_names(&check_rules(
            TableKind::Encounters,
            SyntheaVersion::V2,
            &keys(),
            as_of(),
        ));
        assert!(encounters.contains(&AFTER_DEATH_RULE.to_string()));
    }

    #[test]
    fn after_death_spares_the_death_certification_and_the_death_day() {
        // p1 died 2020-01-02: a is on the death day, b is the certification, c is after.
        let enc = df!(
            "encounter_id" => ["a", "b", "c", "d"],
            "patient_id" => ["p1", "p1", "p1", "p2"],
            "start_date" => [day(2020, 1, 2), day(2020, 1, 5), day(2020, 1, 6), day(2030, 1, 6)],
            "code" => ["185345009", super::super::DEATH_CERTIFICATION_CODE, "50849002", "1"],
        )
        .unwrap()
        .lazy();
        let df = flag_encounters_after_death(enc, patients_with_deaths(), &DqConfig::default())
            .collect()
            .unwrap();
        assert_eq!(
            bools(&df, AFTER_DEATH_CHECK),
            [Some(false), Some(false), Some(true), Some(false)]
        );
        assert_eq!(
            strs(&df, "encounter_id"),
            ["a", "b", "c", "d"].map(|s| Some(s.to_string()))
        );
        assert_eq!(df.width(), 5, "only the check column is added");
    }
}
