//! Synthea-specific data-quality checks added on top of `synthea-schema`'s rules.
//!
//! Each check is a boolean `__dq_check_*` scratch column computed in the silver
//! transform and turned into a [`Rule`] (the rule engine removes the scratch column).
//! Checks: values that failed to parse, stray whitespace and case variants in the raw
//! text (normalization would otherwise fix them silently), dates after the as-of date,
//! references to unknown patients/encounters/organizations/providers/payers, and
//! encounters after the patient's death (other than the death certification).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use medallion_core::pipeline::Rule;
use polars::prelude::*;
use synthea_schema::normalize::{silver_required_columns, silver_schema};
use synthea_schema::{SyntheaVersion, TableKind};

/// Boolean scratch columns (prefixed so the rule engine drops them).
pub(crate) const PARSE_ERROR: &str = "__dq_check_parse_error";
pub(crate) const WHITESPACE: &str = "__dq_check_whitespace";
pub(crate) const CASE_VARIANT: &str = "__dq_check_case_variant";
pub(crate) const FUTURE_DATE: &str = "__dq_check_future_date";
pub(crate) const AFTER_DEATH: &str = "__dq_check_after_death";
pub(crate) const MALFORMED_VALUE: &str = "__dq_check_malformed_value";

/// Known ids of the reference tables, for orphan checks.
#[derive(Debug, Clone, Default)]
pub(crate) struct ReferenceKeys {
    /// Referenced table → its known ids.
    pub(crate) ids: BTreeMap<TableKind, Series>,
}

/// Raw Synthea columns that reference another table (by that table's id). Data, not code:
/// a new foreign-key column only needs a row here.
pub(crate) const FOREIGN_KEYS: [(&str, TableKind); 17] = [
    ("PATIENT", TableKind::Patients),
    ("PATIENTID", TableKind::Patients),
    ("ENCOUNTER", TableKind::Encounters),
    ("APPOINTMENTID", TableKind::Encounters),
    ("ORGANIZATION", TableKind::Organizations),
    ("PLACEOFSERVICE", TableKind::Organizations),
    ("PROVIDER", TableKind::Providers),
    ("PROVIDERID", TableKind::Providers),
    ("SUPERVISINGPROVIDERID", TableKind::Providers),
    ("REFERRINGPROVIDERID", TableKind::Providers),
    ("PAYER", TableKind::Payers),
    ("SECONDARY_PAYER", TableKind::Payers),
    ("PAYER1", TableKind::Payers),
    ("PAYER2", TableKind::Payers),
    ("PRIMARYPATIENTINSURANCEID", TableKind::Payers),
    ("SECONDARYPATIENTINSURANCEID", TableKind::Payers),
    ("CLAIMID", TableKind::Claims),
];

/// The foreign keys of `table` in `version`: (silver column, referenced table).
fn foreign_keys(table: TableKind, version: SyntheaVersion) -> Vec<(&'static str, TableKind)> {
    let Some(spec) = table.spec(version) else {
        return Vec::new();
    };
    let mut out: Vec<(&'static str, TableKind)> = Vec::new();
    for (raw, target) in FOREIGN_KEYS {
        if target == table {
            continue;
        }
        if let Some(c) = spec.column(raw)
            && !out.iter().any(|(s, _)| *s == c.silver)
        {
            out.push((c.silver, target));
        }
    }
    out
}

/// Values that mean "no reference" rather than an id (Synthea writes `0` for a claim
/// without a primary or secondary insurer).
pub(crate) const NO_REFERENCE_VALUES: [&str; 1] = ["0"];

fn orphan_check_column(silver: &str) -> String {
    format!("__dq_check_orphan_{silver}")
}

/// Raw-text checks (before typing): whitespace around any value, and case variants of
/// the configured categorical columns (a value whose exact spelling is rarer than
/// another spelling of the same lowercase value). Returns a frame with exactly the two
/// check columns, row-aligned with `raw`.
pub(crate) fn raw_text_checks(
    raw: LazyFrame,
    raw_columns: &[String],
    categorical: &[String],
) -> PolarsResult<LazyFrame> {
    let whitespace = raw_columns
        .iter()
        .map(|c| {
            // A regex match allocates nothing, unlike comparing with a stripped copy.
            col(c.as_str())
                .cast(DataType::String)
                .str()
                .contains(lit(r"^\s|\s$"), false)
                .fill_null(lit(false))
        })
        .reduce(|a, b| a.or(b))
        .unwrap_or_else(|| lit(false))
        .alias(WHITESPACE);
    let checked: Vec<&String> = categorical
        .iter()
        .filter(|c| raw_columns.contains(c))
        .collect();
    let trimmed = |c: &str| col(c).cast(DataType::String).str().strip_chars(lit(NULL));
    // Two steps: window expressions cannot be nested.
    let mut counts = Vec::new();
    for (i, c) in checked.iter().enumerate() {
        counts.push(len().over([trimmed(c)])?.alias(format!("__spelling_{i}")));
    }
    let mut case_variant = lit(false);
    for (i, c) in checked.iter().enumerate() {
        let count = col(format!("__spelling_{i}"));
        let most_common = count
            .clone()
            .max()
            .over([trimmed(c).str().to_lowercase()])?;
        case_variant = case_variant.or(count
            .lt(most_common)
            .and(trimmed(c).is_not_null())
            .fill_null(lit(false)));
    }
    Ok(raw
        .with_columns(counts)
        .select([whitespace, case_variant.alias(CASE_VARIANT)]))
}

/// Checks on the normalized silver frame of `table`.
pub(crate) fn silver_checks(
    table: TableKind,
    version: SyntheaVersion,
    as_of: NaiveDate,
    keys: &ReferenceKeys,
) -> Vec<Expr> {
    let schema = silver_schema(table);
    let future = schema
        .iter()
        .filter(|(_, dtype)| **dtype == DataType::Date)
        .map(|(name, _)| col(name.clone()).gt(lit(as_of)).fill_null(lit(false)))
        .reduce(|a, b| a.or(b))
        .unwrap_or_else(|| lit(false))
        .alias(FUTURE_DATE);
    let malformed_value = if table == TableKind::Observations {
        // A numeric observation whose value does not parse as a number.
        col("value_type")
            .eq(lit("numeric"))
            .and(col("value").is_not_null())
            .and(col("value_numeric").is_null())
            .fill_null(lit(false))
    } else {
        lit(false)
    };
    let mut checks = vec![future, malformed_value.alias(MALFORMED_VALUE)];
    let no_reference = Series::new("no_reference".into(), NO_REFERENCE_VALUES);
    for (silver, target) in foreign_keys(table, version) {
        if let Some(ids) = keys.ids.get(&target) {
            checks.push(
                col(silver)
                    .is_not_null()
                    .and(
                        col(silver)
                            .is_in(lit(no_reference.clone()).implode(false), false)
                            .not(),
                    )
                    .and(
                        col(silver)
                            .is_in(lit(ids.clone()).implode(false), false)
                            .not(),
                    )
                    .fill_null(lit(false))
                    .alias(orphan_check_column(silver)),
            );
        }
    }
    checks
}

/// The rules reading the checks of [`raw_text_checks`] and [`silver_checks`], plus the
/// required-column rules of `version` that `synthea-schema` leaves out because another
/// version lacks the column.
pub(crate) fn check_rules(
    table: TableKind,
    version: SyntheaVersion,
    keys: &ReferenceKeys,
    as_of: NaiveDate,
) -> Vec<Rule> {
    let t = table.name();
    let mut rules = vec![
        Rule::warn(
            format!("{t}.parse_error"),
            col(PARSE_ERROR),
            "a value did not parse as its column type; it is null in silver and the raw value stays in bronze (`_parse_error_columns` names the columns)",
        ),
        Rule::warn(
            format!("{t}.stray_whitespace"),
            col(WHITESPACE),
            "a raw value had leading or trailing whitespace (trimmed in silver)",
        ),
        Rule::warn(
            format!("{t}.case_variant"),
            col(CASE_VARIANT),
            "a categorical value used a rarer spelling case (normalized in silver)",
        ),
        Rule::warn(
            format!("{t}.future_date"),
            col(FUTURE_DATE),
            format!("a date is after the as-of date {as_of}"),
        ),
        Rule::warn(
            format!("{t}.malformed_value"),
            col(MALFORMED_VALUE),
            "a numeric observation value is not a number (`value_numeric` is null)",
        ),
    ];
    for (silver, target) in foreign_keys(table, version) {
        if !keys.ids.contains_key(&target) {
            continue;
        }
        let name = format!("{t}.orphan_{silver}");
        let description = format!("`{silver}` matches no row of {}", target.name());
        let check = col(orphan_check_column(silver).as_str());
        rules.push(if target == TableKind::Patients {
            Rule::quarantine(name, check, description)
        } else {
            Rule::warn(name, check, description)
        });
    }
    if let Some(spec) = table.spec(version) {
        let always = silver_required_columns(table);
        let mut seen = Vec::new();
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
                format!("{t}.required_null.{}", c.silver),
                col(c.silver).is_null(),
                format!(
                    "`{}` is null although {version:?} exports always fill it",
                    c.silver
                ),
            ));
        }
    }
    if table == TableKind::Encounters {
        rules.push(Rule::warn(
            "encounters.after_death",
            col(AFTER_DEATH),
            "the encounter starts after the patient's death date and is not the death certification",
        ));
    }
    rules
}

/// `synthea-schema`'s rules (already medallion rules).
pub(crate) fn schema_rules(
    table: TableKind,
    config: &synthea_schema::dq::DqConfig,
    as_of: NaiveDate,
) -> Vec<Rule> {
    synthea_schema::dq::dq_rules(table, config, as_of)
}
