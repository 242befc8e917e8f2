//! Bronze rows the landing reader could not read cleanly, as marked in `_ingest_issue`
//! ([`INGEST_ISSUE`]): silver quarantines malformed rows before the transform sees them
//! and flags rows with invalid UTF-8; neither `_ingest_issue` nor `_raw_line` reaches
//! silver.
//!
//! - A row whose issue starts with `malformed_row` (its line did not split into the
//!   header's fields) violates the built-in quarantine rule [`MALFORMED_ROW_RULE`]. It
//!   goes to the quarantine table as its lineage (`_batch_id`, `_ingested_at`,
//!   `_source_file`, `_source_row`), `_ingest_issue` (the reason, e.g. how many fields
//!   were found), `_raw_line` (the landed text) and `_dq_flags`: its fields cannot be
//!   trusted, so they are not typed or kept as columns.
//! - A row whose issue starts with `invalid_utf8` (bytes replaced while reading) is kept
//!   and flagged by the built-in warn rule [`INVALID_UTF8_RULE`]. The flag follows the
//!   row through the transform by `_ingest_issue` when the transform keeps it, else by
//!   the lineage columns `_batch_id`, `_source_file`, `_source_row`.
//!
//! Both rules are listed in the run's `rule_hits` when the bronze table has
//! `_ingest_issue`.

use std::collections::BTreeMap;

use polars::prelude::*;

use super::bronze::{BATCH_ID, INGEST_ISSUE, INGESTED_AT, SOURCE_FILE, SOURCE_ROW};
use super::rules::{DQ_FLAGS, Rule, SCRATCH_PREFIX};
use crate::error::{Error, Result};

/// Name of the built-in quarantine rule for bronze rows whose `_ingest_issue` starts
/// with `malformed_row`.
pub const MALFORMED_ROW_RULE: &str = "malformed_row";

/// Name of the built-in warn rule for bronze rows whose `_ingest_issue` starts with
/// `invalid_utf8`.
pub const INVALID_UTF8_RULE: &str = "invalid_utf8";

/// Bronze lineage column: the raw text of a malformed landed line (defined by bronze).
pub(crate) use super::bronze::RAW_LINE;

const OP: &str = "silver ingest issues";

/// Scratch column marking the rows with invalid UTF-8 after the transform.
fn invalid_utf8_column() -> String {
    format!("{SCRATCH_PREFIX}ingest_invalid_utf8")
}

/// The built-in rules [`super::SilverBuilder`] applies to bronze rows with an
/// `_ingest_issue`: [`MALFORMED_ROW_RULE`] (quarantine, evaluated on the bronze rows
/// before the transform) and [`INVALID_UTF8_RULE`] (warn, evaluated after the transform
/// on a scratch column the builder derives from `_ingest_issue`).
pub fn ingest_issue_rules() -> [Rule; 2] {
    [
        Rule::quarantine(
            MALFORMED_ROW_RULE,
            issue_starts_with(MALFORMED_ROW_RULE),
            "the landed line did not split into the header's fields (reason in _ingest_issue, text in _raw_line)",
        ),
        Rule::warn(
            INVALID_UTF8_RULE,
            col(invalid_utf8_column()),
            "the landed line had bytes that are not UTF-8; they were replaced",
        ),
    ]
}

fn issue_starts_with(prefix: &str) -> Expr {
    col(INGEST_ISSUE)
        .str()
        .starts_with(lit(prefix))
        .fill_null(lit(false))
}

/// A chunk of bronze rows after the ingest-issue screen.
pub(crate) struct Screened {
    /// The rows for the transform (malformed rows removed).
    pub clean: LazyFrame,
    /// The malformed rows, in quarantine shape (`None` when there are none).
    pub malformed: Option<DataFrame>,
    /// Lineage of the rows with invalid UTF-8 (`None` when the bronze table has no
    /// `_ingest_issue`).
    invalid_utf8: Option<DataFrame>,
    /// Hits of the built-in rules (empty without `_ingest_issue`).
    pub rule_hits: BTreeMap<String, u64>,
}

/// Splits the malformed rows off a chunk of `bronze` rows and notes the rows with
/// invalid UTF-8. Without `_ingest_issue`, the chunk passes unchanged.
///
/// Only the rows with an issue are read here (usually none or few).
pub(crate) fn screen_ingest_issues(bronze: LazyFrame, table: &str) -> Result<Screened> {
    let mut bronze = bronze;
    let schema = bronze
        .collect_schema()
        .map_err(|e| Error::polars(table, OP, e))?;
    if !schema.contains(INGEST_ISSUE) {
        return Ok(Screened {
            clean: bronze,
            malformed: None,
            invalid_utf8: None,
            rule_hits: BTreeMap::new(),
        });
    }
    let kept: Vec<Expr> = [
        BATCH_ID,
        INGESTED_AT,
        SOURCE_FILE,
        SOURCE_ROW,
        INGEST_ISSUE,
        RAW_LINE,
    ]
    .into_iter()
    .filter(|c| schema.contains(c))
    .map(col)
    .collect();
    let issues = bronze
        .clone()
        .filter(col(INGEST_ISSUE).is_not_null())
        .select(kept)
        .collect()
        .map_err(|e| Error::polars(table, OP, e))?;
    let [malformed_rule, _] = ingest_issue_rules();
    let malformed = malformed_rows(&issues, &malformed_rule, table)?;
    let invalid_utf8 = issues
        .lazy()
        .filter(issue_starts_with(INVALID_UTF8_RULE))
        .collect()
        .map_err(|e| Error::polars(table, OP, e))?;
    let rule_hits = BTreeMap::from([
        (MALFORMED_ROW_RULE.to_string(), malformed.height() as u64),
        (INVALID_UTF8_RULE.to_string(), invalid_utf8.height() as u64),
    ]);
    let clean = if malformed.height() > 0 {
        bronze.filter(malformed_rule.violation.not())
    } else {
        bronze
    };
    Ok(Screened {
        clean,
        malformed: (malformed.height() > 0).then_some(malformed),
        invalid_utf8: Some(invalid_utf8),
        rule_hits,
    })
}

/// The rows of `issues` violating the `malformed` rule, flagged with its name.
fn malformed_rows(issues: &DataFrame, malformed: &Rule, table: &str) -> Result<DataFrame> {
    let flag = lit(Series::new("".into(), [malformed.name.clone()])).implode(true);
    issues
        .clone()
        .lazy()
        .filter(malformed.violation.clone())
        .with_column(flag.alias(DQ_FLAGS))
        .collect()
        .map_err(|e| Error::polars(table, OP, e))
}

impl Screened {
    /// The rules to apply after the transform: the caller's, plus the invalid-UTF-8 flag
    /// when the bronze table has `_ingest_issue`.
    pub fn rules(&self, rules: &[Rule]) -> Vec<Rule> {
        let mut all = rules.to_vec();
        if self.invalid_utf8.is_some() {
            let [_, invalid_utf8] = ingest_issue_rules();
            all.push(invalid_utf8);
        }
        all
    }

    /// The transformed rows with the invalid-UTF-8 scratch column (when the bronze table
    /// has `_ingest_issue`) and without `_ingest_issue` and `_raw_line`.
    pub fn mark(&self, transformed: LazyFrame, table: &str) -> Result<LazyFrame> {
        let mut lf = transformed;
        let schema = lf
            .collect_schema()
            .map_err(|e| Error::polars(table, OP, e))?;
        if let Some(invalid) = &self.invalid_utf8 {
            lf = mark_invalid_utf8(lf, &schema, invalid, table)?;
        }
        let issue_columns: Vec<&str> = [INGEST_ISSUE, RAW_LINE]
            .into_iter()
            .filter(|c| schema.contains(c))
            .collect();
        if !issue_columns.is_empty() {
            lf = lf.drop(cols(issue_columns));
        }
        Ok(lf)
    }
}

/// Adds the invalid-UTF-8 scratch column: from `_ingest_issue` when the transform kept
/// it, else by joining the rows' lineage with the `invalid` rows' lineage.
fn mark_invalid_utf8(
    lf: LazyFrame,
    schema: &Schema,
    invalid: &DataFrame,
    table: &str,
) -> Result<LazyFrame> {
    let marker = invalid_utf8_column();
    if invalid.height() == 0 {
        return Ok(lf.with_column(lit(false).alias(marker)));
    }
    if schema.contains(INGEST_ISSUE) {
        return Ok(lf.with_column(issue_starts_with(INVALID_UTF8_RULE).alias(marker)));
    }
    let lineage = [BATCH_ID, SOURCE_FILE, SOURCE_ROW];
    if !lineage.iter().all(|c| schema.contains(c)) {
        return Err(Error::InvalidConfiguration {
            table: table.to_string(),
            operation: OP,
            reason: format!(
                "{} bronze row(s) have invalid UTF-8, but the transform drops both {INGEST_ISSUE} and the lineage columns [{}] that flag them; keep either",
                invalid.height(),
                lineage.join(", ")
            ),
        });
    }
    let mut marked_lineage: Vec<Expr> = lineage
        .iter()
        .map(|c| col(*c).cast(schema.get(c).cloned().unwrap_or(DataType::Null)))
        .collect();
    marked_lineage.push(lit(true).alias(marker.as_str()));
    let marked = invalid.clone().lazy().select(marked_lineage);
    let on: Vec<Expr> = lineage.iter().map(|c| col(*c)).collect();
    let mut args = JoinArgs::new(JoinType::Left);
    args.maintain_order = MaintainOrderJoin::Left;
    Ok(lf
        .join(marked, on.clone(), on, args)
        .with_column(col(marker.as_str()).fill_null(lit(false))))
}
